package main

import (
	"flag"
	"strings"
)

// parseInterspersed parses the flags of fs found anywhere in args and
// returns the other arguments, in order: `ludus linear a.log --json b.log`
// sets --json and returns [a.log b.log]. The standard flag package stops at
// the first argument that is not a flag; users expect GNU style instead.
//
// The rules are the flag package's own, applied one flag at a time:
//   - "-name" and "--name" are the same; "-name=value" carries its value;
//     a flag that is not boolean takes the next argument as its value, even
//     one that starts with a dash ("--format -" is a value);
//   - "--" ends the flags: every argument after it is positional, even one
//     that starts with a dash;
//   - "-" alone is positional (by convention, standard input);
//   - an unknown flag, a missing value or a bad value is the error fs.Parse
//     gives (flag.ErrHelp for -h and -help unless defined), which fs has
//     already reported to its output with its usage.
//
// Each flag is handed to fs.Parse, so fs.Visit, fs.Lookup and the values
// behave as after a normal Parse; fs.Args is not meaningful afterwards: use
// the returned slice.
func parseInterspersed(fs *flag.FlagSet, args []string) (positional []string, err error) {
	positional = []string{}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			return append(positional, args[i+1:]...), nil
		case arg == "-" || !strings.HasPrefix(arg, "-"):
			positional = append(positional, arg)
			continue
		}
		one := []string{arg}
		if takesValue(fs, arg) && i+1 < len(args) {
			one = append(one, args[i+1])
			i++
		}
		if err := fs.Parse(one); err != nil {
			return nil, err
		}
		if rest := fs.Args(); len(rest) > 0 {
			// Cannot happen for a well-formed single flag; keep the
			// arguments rather than lose them.
			positional = append(positional, rest...)
		}
	}
	return positional, nil
}

// takesValue reports whether the flag argument arg ("-name" or "--name",
// without "=value") is a defined flag that consumes the next argument: one
// that is not boolean.
func takesValue(fs *flag.FlagSet, arg string) bool {
	name := strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
	if name == "" || strings.Contains(name, "=") {
		return false
	}
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return false
	}
	return true
}
