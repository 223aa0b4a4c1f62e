region = "westéurope"
