"""Domain rules: plain functions over models and values, testable without a request."""
