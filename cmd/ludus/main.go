// Command ludus is the laboratory and toolbox of the ludus project.
//
//	ludus                 runs the lab (same as "ludus lab")
//	ludus lab [flags]     reproduces the guide's claims on this machine
//	ludus help [command]  explains a command and its flags
//
// Each command lives in its own file and registers itself in commands.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
)

// command is one subcommand. run returns the process exit status.
type command struct {
	name    string
	summary string
	// usage is the argument synopsis printed after "ludus <name>".
	usage string
	// interspersed accepts flags anywhere on the line, after arguments
	// too (see parseInterspersed); otherwise flags end at the first
	// argument, as with the flag package.
	interspersed bool
	// flags declares the command's flags on fs and returns the function
	// that runs it with the remaining arguments.
	setup func(fs *flag.FlagSet) func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("ludus: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches args to a command; it is main without os.Exit, for tests.
func run(args []string, stdout, stderr io.Writer) int {
	name := "lab"
	if len(args) > 0 && (args[0] == "" || args[0][0] != '-') {
		name, args = args[0], args[1:]
	}
	switch name {
	case "help":
		return help(args, stdout, stderr)
	case "-h", "--help":
		return help(nil, stdout, stderr)
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "ludus: unknown command %q\n\n", name)
		usage(stderr)
		return 2
	}
	fs := flag.NewFlagSet("ludus "+c.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	exec := c.setup(fs)
	fs.Usage = func() { commandUsage(c, fs, stderr) }
	var err error
	if c.interspersed {
		args, err = parseInterspersed(fs, args)
	} else {
		err = fs.Parse(args)
		args = fs.Args()
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	return exec(args, stdout, stderr)
}

func help(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stdout)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "ludus help: unknown command %q\n", args[0])
		return 2
	}
	fs := flag.NewFlagSet("ludus "+c.name, flag.ContinueOnError)
	c.setup(fs)
	commandUsage(c, fs, stdout)
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "ludus: the concurrency laboratory and toolkit")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: ludus <command> [flags] [arguments]")
	fmt.Fprintln(w, "With no command, ludus runs the lab.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "  %-8s %s\n", "help", "explain a command and its flags")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run \"ludus help <command>\" or \"ludus <command> -h\" for a command's flags.")
}

func commandUsage(c *command, fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintf(w, "Usage: ludus %s %s\n\n%s\n", c.name, c.usage, c.summary)
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintln(w, "\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}
