package web_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/labludus/ludus/web"
)

// A Server is an http.Handler: here on httptest's loopback listener, as
// "ludus lab --serve" puts it on web.Listen's. The playground's programs
// are one of its JSON endpoints.
func Example() {
	s, err := web.New(web.Options{})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	hs := httptest.NewServer(s)
	defer hs.Close()

	resp, err := hs.Client().Get(hs.URL + "/api/playground/scenarios")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var list struct {
		Scenarios []struct{ ID, Title string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		panic(err)
	}
	for _, sc := range list.Scenarios {
		fmt.Printf("%s: %s\n", sc.ID, sc.Title)
	}
	// Output:
	// bank-race: The bank race
	// mutex-fix: The mutex fix
	// deadlock: Opposite-order deadlock
	// lock-ordering: The lock-ordering fix
	// channel: A channel hand-off
}

// The lab listens on loopback unless told otherwise.
func ExampleListen() {
	_, err := web.Listen("0.0.0.0:7040", web.ListenOptions{})
	fmt.Println(errors.Is(err, web.ErrNotLoopback))
	l, err := web.Listen(":0", web.ListenOptions{}) // no host: 127.0.0.1
	if err != nil {
		panic(err)
	}
	defer l.Close()
	fmt.Println(web.IsLoopbackListener(l))
	// Output:
	// true
	// true
}
