"""The top layer, which nothing else imports: the CLI, the scikit-learn-style estimator,
figures, reports, and the files a fit writes."""
