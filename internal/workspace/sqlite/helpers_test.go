package sqlite

import "github.com/pcctl/pcctl/internal/workspace/conformance"

var addUser = conformance.AddUser
