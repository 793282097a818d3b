"""The calling programs: the LED-style calling screen (``kiosk display``) and the clerk's caller
(``kiosk counter``), with the dot-matrix widget, the hall feed, voice and LED sign followers."""
