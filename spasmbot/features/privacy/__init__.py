"""Privacy: /stop, /mydata export, /forget, resume after a block, stop-reason feedback (``p:`` buttons)."""
