// Command ludus is the laboratory and toolbox of the ludus project.
//
//	ludus                      runs the lab (same as "ludus lab")
//	ludus lab [flags]          reproduces the guide's claims on this machine, a verdict for each
//	ludus lab --serve          the lab in the browser: experiments, traces as pictures, the scheduler by hand
//	ludus check [flags] [PKG]  explores the interleavings of a package's tests under the ludus scheduler
//	ludus linear FILE...       checks recorded histories for linearizability
//	ludus help [command]       lists the commands, or explains one and its flags
//
// "ludus -h" lists the commands, one line each; "ludus help COMMAND" or
// "ludus COMMAND -h" explains one. Flags may come before or after a
// command's arguments, and a duration flag never takes a negative value.
//
// Each command lives in its own file and registers itself in commands; the
// listing is built from that table, so a new command appears in it by
// registering.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
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
// A first argument that is not a flag names the command; without one the
// command is lab, except that a lone help flag lists the commands.
func run(args []string, stdout, stderr io.Writer) int {
	name := "lab"
	if len(args) > 0 {
		switch {
		case isHelpFlag(args[0]):
			usage(stdout)
			return 0
		case !strings.HasPrefix(args[0], "-"):
			name, args = args[0], args[1:]
		}
	}
	if name == "help" {
		return help(args, stdout, stderr)
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
	if err := checkDurations(fs); err != nil {
		fmt.Fprintf(stderr, "ludus %s: %v\n", c.name, err)
		return 2
	}
	return exec(args, stdout, stderr)
}

// isHelpFlag reports whether arg asks for help: -h, -help, --h, --help.
func isHelpFlag(arg string) bool {
	switch strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-") {
	case "h", "help":
		return strings.HasPrefix(arg, "-")
	}
	return false
}

// checkDurations rejects a negative value in any duration flag that was
// set: no command means anything by a negative time, and silently treating
// it as zero or as "no limit" would run something the user did not ask
// for. What zero means is each flag's own (its usage says).
func checkDurations(fs *flag.FlagSet) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		g, ok := f.Value.(flag.Getter)
		if !ok || err != nil {
			return
		}
		if d, ok := g.Get().(time.Duration); ok && d < 0 {
			err = fmt.Errorf("--%s %v: a duration must not be negative", f.Name, d)
		}
	})
	return err
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

// usage lists every registered command with its one-line summary.
func usage(w io.Writer) {
	fmt.Fprintln(w, "ludus: the concurrency laboratory and toolkit")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: ludus <command> [flags] [arguments]")
	fmt.Fprintln(w, "With no command, ludus runs the lab. Flags may also follow the arguments.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	names := make([]string, 0, len(commands))
	width := len("help")
	for n := range commands {
		names = append(names, n)
		width = max(width, len(n))
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-*s  %s\n", width, n, commands[n].summary)
	}
	fmt.Fprintf(w, "  %-*s  %s\n", width, "help", "list the commands, or explain one and its flags")
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
