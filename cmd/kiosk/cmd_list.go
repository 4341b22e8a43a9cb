package main

import (
	"flag"
	"fmt"
	"strings"

	"kiosk/internal/termtext"
)

func cmdList(a *app, args []string) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		fmt.Fprintln(a.stderr, "Usage: kiosk list\n\nPrints every document of the live content and its sections with the reference\nto give to 'kiosk show'.")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	kc, err := loadContent(a)
	if err != nil {
		return err
	}
	p := kc.Pack
	for _, d := range p.Docs {
		fmt.Fprintf(a.stdout, "%s  %s  %s  [%s]\n", termtext.Line(d.Ref()), d.Date.Format("2006-01-02"), termtext.Line(d.Title), termtext.Line(d.Catalogue))
		for _, s := range d.Sections {
			indent := "  "
			if s.Level == 3 {
				indent = "    "
			}
			fmt.Fprintf(a.stdout, "%s%s  %s\n", indent, termtext.Line(s.Ref()), strings.TrimSpace(termtext.Line(s.DisplayTitle())))
		}
	}
	return nil
}
