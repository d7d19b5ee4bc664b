package unmodified

// FirstReply asks every replica and returns the first reply. The other
// replicas' goroutines block forever on the unbuffered channel: each call
// leaks len(replicas)-1 goroutines.
func FirstReply(replicas []func() string) string {
	replies := make(chan string)
	for _, ask := range replicas {
		ask := ask
		go func() { replies <- ask() }()
	}
	return <-replies
}
