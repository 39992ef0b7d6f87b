// Command sdkgen writes the services of package client from the contract
// and package gen, and the accessors of package gen beside its source (see
// go doc ./internal/sdkgen); go generate runs it:
//
//	go run ./internal/sdkgen/cmd/sdkgen -spec api.yaml -gen gen/qapi.gen.go -out client
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/qapitools/qapi/internal/fileio"
	"github.com/qapitools/qapi/internal/sdkgen"
)

func main() {
	spec := flag.String("spec", "api.yaml", "the contract `FILE`")
	genSrc := flag.String("gen", "gen/qapi.gen.go", "the source `FILE` of package gen generated from the contract")
	out := flag.String("out", "client", "the `DIR` of package client")
	flag.Parse()
	files, acc, err := sdkgen.Generate(*spec, *genSrc)
	if err == nil {
		err = sdkgen.Write(*out, files)
	}
	if err == nil {
		err = fileio.WriteAtomic(sdkgen.AccessorsPath(*genSrc), acc)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "sdkgen: %v\n", err)
		os.Exit(1)
	}
}
