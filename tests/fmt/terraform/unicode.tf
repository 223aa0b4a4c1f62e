é   = 1
ab  = 2
x   = 1   # c
yyy = "é" # d
