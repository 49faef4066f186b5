package main

// maxrssUnit is the unit of ru_maxrss in bytes: macOS gives bytes.
const maxrssUnit = 1
