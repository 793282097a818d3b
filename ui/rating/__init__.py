"""The window's evaluator (评价器, ``kiosk rate``): the small touch screen facing the citizen."""
