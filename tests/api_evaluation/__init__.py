"""HTTP tests of the evaluation, assessment, targets, downloads and cockpit APIs."""
