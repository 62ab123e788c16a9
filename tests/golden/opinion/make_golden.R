#!/usr/bin/env Rscript
# make_golden.R - golden numbers for tyndau's opinion weighting, from R's
# survey package (Debian r-cran-survey): raked (rake()) and post-stratified
# (postStratify()) weights, svymean() estimate, standard error and design
# effect on seeded synthetic samples.
#
#   Rscript make_golden.R [GOLDEN_DIR [OUT_DIR]]
#
# Reads CASE.sample.csv and CASE.margins.csv from GOLDEN_DIR (default: this
# script's folder), generating and writing them there first if they are
# missing (set.seed makes them reproducible), and writes CASE.weights.csv
# and CASE.result.csv to OUT_DIR (default GOLDEN_DIR). The unit test
# tests/unit/analytics/test_opinion_golden.c compares tyndau with the
# committed files and, when Rscript is installed, with a fresh run into a
# temporary OUT_DIR.
#
# R's raking tolerance is loose by default (epsilon = 1, maxit = 10): here
# it is epsilon = 1e-12 (times the sum of the weights), maxit = 10000.
suppressPackageStartupMessages(library(survey))

args <- commandArgs(trailingOnly = TRUE)
here <- (function() {
  f <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(f)) dirname(normalizePath(f)) else "."
})()
gdir <- if (length(args) >= 1) args[1] else here
odir <- if (length(args) >= 2) args[2] else gdir
dir.create(odir, showWarnings = FALSE, recursive = TRUE)

num <- function(x) sprintf("%.17g", x)

# A synthetic sample: who is in it depends on the weighting variables, the
# stance on them and on noise.
make_sample <- function(seed, n, vars, weights = FALSE) {
  set.seed(seed)
  df <- data.frame(row = seq_len(n))
  lin <- rep(-0.3, n)
  sel <- rep(0, n)
  for (v in names(vars)) {
    cats <- vars[[v]]$cat
    tilt <- seq(-1, 1, length.out = length(cats))
    # over-represent the first categories, as social media do the young
    p <- exp(-0.6 * tilt)
    p <- vars[[v]]$pop * p / sum(vars[[v]]$pop * p)
    x <- sample(cats, n, replace = TRUE, prob = p)
    df[[v]] <- x
    lin <- lin + 0.5 * tilt[match(x, cats)]
  }
  df$y <- as.integer(runif(n) < plogis(lin))
  if (weights) df$weight <- round(exp(rnorm(n, 0, 0.35)), 4)
  df$row <- NULL
  df
}

margins_df <- function(vars) {
  do.call(rbind, lapply(names(vars), function(v)
    data.frame(variable = v, category = vars[[v]]$cat, population = vars[[v]]$pop)))
}

cases <- list(
  rake3 = list(
    seed = 20240501, n = 300, weights = FALSE,
    vars = list(
      sex = list(cat = c("m", "f"), pop = c(4852, 5148)),
      age = list(cat = c("18-29", "30-44", "45-59", "60+"), pop = c(2600, 2900, 2450, 2050)),
      urban = list(cat = c("urban", "rural"), pop = c(6200, 3800)))),
  rake4w = list(
    seed = 20240502, n = 800, weights = TRUE,
    vars = list(
      region = list(cat = c("710000000", "750000000", "790000000", "190000000", "610000000",
                            "350000000"),
                    pop = c(10500, 15800, 8200, 10400, 13100, 7400)),
      sex = list(cat = c("m", "f"), pop = c(31200, 34200)),
      age = list(cat = c("18-29", "30-39", "40-49", "50-64", "65+"),
                 pop = c(15900, 13600, 11000, 14700, 10200)),
      urban = list(cat = c("urban", "rural"), pop = c(40100, 25300)))),
  ps = list(
    seed = 20240503, n = 400, weights = FALSE, poststrat = TRUE,
    vars = list(
      sex = list(cat = c("m", "f"), pop = c(4852, 5148)),
      age = list(cat = c("18-29", "30-44", "45-59", "60+"), pop = c(2600, 2900, 2450, 2050))),
    joint = c(1290, 1440, 1200, 922, 1310, 1460, 1250, 1128))
)

for (name in names(cases)) {
  k <- cases[[name]]
  sfile <- file.path(gdir, paste0(name, ".sample.csv"))
  mfile <- file.path(gdir, paste0(name, ".margins.csv"))
  if (!file.exists(sfile) || !file.exists(mfile)) {
    df <- make_sample(k$seed, k$n, k$vars, k$weights)
    write.csv(df, sfile, row.names = FALSE, quote = FALSE)
    if (isTRUE(k$poststrat)) {
      g <- expand.grid(sex = k$vars$sex$cat, age = k$vars$age$cat, stringsAsFactors = FALSE)
      m <- data.frame(variable = "sex:age", category = paste(g$sex, g$age, sep = ":"),
                      population = k$joint)
    } else {
      m <- margins_df(k$vars)
    }
    write.csv(m, mfile, row.names = FALSE, quote = FALSE)
  }
  df <- read.csv(sfile, colClasses = "character")
  df$y <- as.numeric(df$y)
  m <- read.csv(mfile, colClasses = c("character", "character", "numeric"))
  if (!is.null(df$weight)) {
    df$weight <- as.numeric(df$weight)
    des <- svydesign(ids = ~1, weights = ~weight, data = df)
  } else {
    des <- svydesign(ids = ~1, probs = rep(1, nrow(df)), data = df)
  }
  vars <- unique(m$variable)
  if (length(vars) == 1 && grepl(":", vars)) {
    parts <- strsplit(vars, ":")[[1]]
    sub <- m[m$variable == vars, ]
    pieces <- do.call(rbind, strsplit(sub$category, ":"))
    pop <- data.frame(pieces, Freq = sub$population, stringsAsFactors = FALSE)
    names(pop) <- c(parts, "Freq")
    des <- postStratify(des, as.formula(paste("~", paste(parts, collapse = "+"))), pop)
    iterations <- 1
  } else {
    smarg <- lapply(vars, function(v) as.formula(paste("~", v)))
    pmarg <- lapply(vars, function(v) {
      sub <- m[m$variable == v, ]
      d <- data.frame(sub$category, Freq = sub$population, stringsAsFactors = FALSE)
      names(d) <- c(v, "Freq")
      d
    })
    des <- rake(des, smarg, pmarg, control = list(maxit = 10000, epsilon = 1e-12))
  }
  est <- svymean(~y, des, deff = TRUE)
  w <- weights(des)
  write.csv(data.frame(row = seq_along(w), weight = num(w)),
            file.path(odir, paste0(name, ".weights.csv")), row.names = FALSE, quote = FALSE)
  res <- data.frame(
    name = c("estimate", "se", "deff", "n"),
    value = c(num(coef(est)[[1]]), num(SE(est)[[1]]), num(deff(est)[[1]]), nrow(df)))
  write.csv(res, file.path(odir, paste0(name, ".result.csv")), row.names = FALSE, quote = FALSE)
}
cat(sprintf("make_golden.R: %d cases written to %s (survey %s)\n", length(cases), odir,
            as.character(packageVersion("survey"))))
