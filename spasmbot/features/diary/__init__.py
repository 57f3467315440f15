"""The cramp diary (issue 11): one-tap logging with optional details, the evening check-in,
``/diary`` with charts and honest patterns, and the PDF/CSV report for the doctor."""
