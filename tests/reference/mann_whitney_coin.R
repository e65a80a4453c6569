# Reference p-values for samskaping.statistics.mann_whitney from R's coin package.
#
# Reads the data sets in mann_whitney_cases.csv (columns dataset, group = a | b, value) and
# writes mann_whitney_coin_expected.csv with, for each data set, coin's exact conditional
# Wilcoxon-Mann-Whitney test (distribution = "exact": the permutation distribution of the
# rank sum for the actual data, mid-ranks for ties) for the three alternatives, plus the
# linear statistic (rank sum of group a) and its expectation under the null.
#
# Regenerate from the repository root (Debian: apt-get install r-base-core r-cran-coin):
#   Rscript tests/reference/mann_whitney_coin.R
# The CSV is committed, so the Python tests (tests/test_statistics.py) do not need R.
#
# Conventions (checked in the tests): coin's one-sided p-values are P(T >= t) ("greater":
# group a tends higher) and P(T <= t) ("less"). Its two-sided p is P(|T - E(T)| >= |t - E(T)|),
# which differs from samskaping's min(1, 2 * min(P(T <= t), P(T >= t))) (scipy's convention)
# when ties make the null distribution asymmetric.

suppressPackageStartupMessages(library(coin))

here <- local({
  file_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(file_arg)) dirname(normalizePath(sub("^--file=", "", file_arg[1]))) else "tests/reference"
})
cases <- read.csv(file.path(here, "mann_whitney_cases.csv"), colClasses = c("character", "character", "numeric"))

# NULL when coin gives no p-value (all values tied: the statistic has zero variance).
run <- function(frame, alternative) {
  tryCatch({
    test <- suppressWarnings(
      wilcox_test(value ~ group, data = frame, distribution = "exact", alternative = alternative)
    )
    pvalue(test)
    test
  }, error = function(e) NULL)
}

full <- function(x) if (is.null(x) || is.na(x)) "" else sprintf("%.17g", x)

rows <- list()
for (name in unique(cases$dataset)) {
  frame <- cases[cases$dataset == name, ]
  frame$group <- factor(frame$group, levels = c("a", "b"))
  tests <- lapply(c(two.sided = "two.sided", less = "less", greater = "greater"), function(alt) run(frame, alt))
  p <- vapply(tests, function(test) if (is.null(test)) NA_real_ else as.numeric(pvalue(test)), numeric(1))
  two <- tests[["two.sided"]]
  rows[[name]] <- data.frame(
    dataset = name,
    n_a = sum(frame$group == "a"),
    n_b = sum(frame$group == "b"),
    rank_sum_a = full(if (is.null(two)) NA else as.numeric(statistic(two, type = "linear"))),
    expectation = full(if (is.null(two)) NA else as.numeric(expectation(two))),
    p_two_sided = full(p[["two.sided"]]),
    p_less = full(p[["less"]]),
    p_greater = full(p[["greater"]]),
    note = if (is.null(two)) "coin gives no test (zero variance: all values tied)" else ""
  )
}
out <- do.call(rbind, rows)
write.csv(out, file.path(here, "mann_whitney_coin_expected.csv"), row.names = FALSE, quote = TRUE)
cat(sprintf("coin %s, R %s: %d data sets -> mann_whitney_coin_expected.csv\n",
            packageVersion("coin"), getRversion(), nrow(out)))
