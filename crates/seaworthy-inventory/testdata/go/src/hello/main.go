package main

import (
	"os"
	"strconv"

	"github.com/cespare/xxhash/v2"
)

func main() {
	os.Stdout.WriteString(strconv.FormatUint(xxhash.Sum64String("seaworthy"), 16) + "\n")
}
