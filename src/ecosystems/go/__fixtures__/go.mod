// A hand-written go.mod covering every directive vouch reads.
module example.com/demo

go 1.21

toolchain go1.22.3

godebug default=go1.21

require github.com/single/line v1.0.0

require (
	github.com/direct/a v1.2.3
	github.com/indirect/b v0.0.0-20210630005230-0f9fa26af87c // indirect
	"github.com/quoted/c" v2.0.0+incompatible
	golang.org/x/net v0.5.6 // a comment that is not indirect
	github.com/excluded/d v1.0.0
	github.com/local/e v1.1.0
)

exclude github.com/excluded/d v1.0.0

replace golang.org/x/net v0.5.6 => example.com/fork/net v0.6.0

replace (
	github.com/local/e => ../e
	github.com/not/required v1.0.0 => github.com/other v1.0.0
)

retract v0.1.0 // published by mistake
