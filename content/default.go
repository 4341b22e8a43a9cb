package content

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed all:defaultpack
var defaultPackFS embed.FS

// DefaultFS returns the embedded default pack (the district's 2018 annual
// report) as a file system, for installing or inspecting it.
func DefaultFS() fs.FS {
	sub, err := fs.Sub(defaultPackFS, "defaultpack")
	if err != nil {
		panic(err) // the folder is embedded at build time
	}
	return sub
}

// Default loads the embedded default pack.
func Default() (*Pack, error) {
	p, probs := Load(DefaultFS())
	if p == nil {
		return nil, fmt.Errorf("内置的默认内容包无效 (embedded default pack is invalid):\n%w", probs)
	}
	return p, nil
}
