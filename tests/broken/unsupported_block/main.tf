widget "x" {
}
