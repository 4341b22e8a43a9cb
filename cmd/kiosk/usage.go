package main

import (
	"flag"
	"fmt"
)

// groupHelp answers a command group (content, visits) called without a
// subcommand or with -h, --help or help: its usage on stderr, and errUsage
// when nothing was asked. done is false when a subcommand was given.
func groupHelp(a *app, args []string, usage string) (done bool, err error) {
	if len(args) > 0 && args[0] != "-h" && args[0] != "--help" && args[0] != "help" {
		return false, nil
	}
	fmt.Fprintln(a.stderr, usage)
	if len(args) == 0 {
		return true, errUsage
	}
	return true, nil
}

// usageError says what is wrong with a subcommand's arguments, then shows
// its usage.
func usageError(a *app, fs *flag.FlagSet, msg string) error {
	fmt.Fprintf(a.stderr, "kiosk %s: %s\n\n", fs.Name(), msg)
	fs.Usage()
	return errUsage
}
