module example.com/unmodified

go 1.21
