package server

// dealRoutes registers the routes of this resource (docs/api.md).
func (s *Server) dealRoutes() {
}
