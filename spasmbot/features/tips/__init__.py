"""Daily tips: subscribe at a local time, one tip a day from the rotation (``t:`` buttons)."""
