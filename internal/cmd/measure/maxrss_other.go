//go:build unix && !darwin && !ios

package main

// maxrssUnit is the unit of ru_maxrss in bytes: Linux and the BSDs give KiB.
const maxrssUnit = 1024
