"""``kiosk demo``: the scripted hall day and the screenshots each part of the UI takes of itself."""
