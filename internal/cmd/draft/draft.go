// Package draft holds what the commands that make a request by email share (reseller
// invite, customers request-relationship): the message file the user writes, the link,
// and the draft email, printed or written as an .eml file. pcctl sends no email.
package draft

import (
	"fmt"
	"io"
	"mime"
	"net/mail"
	"os"
	"strings"
	"time"

	"github.com/pcctl/pcctl/internal/cmdutil"
	"github.com/pcctl/pcctl/internal/domain"
	"github.com/pcctl/pcctl/internal/fileutil"
	"github.com/pcctl/pcctl/internal/iostreams"
)

// Email is a draft: who it is from and to, its subject and text (holding the link).
type Email struct {
	From    string // the user's address; pcctl@localhost when it is not one
	ToName  string
	To      string // "" when not known: the user fills it in
	Subject string
	Body    string
	Date    time.Time
}

// ReadMessage reads a --message-file: the text of the email, "" when path is "".
func ReadMessage(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %w", path, fileutil.PlainErr(err))
	}
	return string(b), nil
}

// Link is the acceptance link of a request: base (invite_base_url) and the path of the
// request's page, then the token.
func Link(base, path, token string) string {
	return strings.TrimSuffix(base, "/") + path + "/" + token
}

// CreateEML starts writing the --eml file (refused at once when it cannot be written,
// before anything is recorded). It holds the request's link, a secret: it is written
// readable by its owner only.
func CreateEML(f *cmdutil.Factory, flag, path string, inputs ...string) (*fileutil.AtomicFile, error) {
	return f.CreateSecretOutput(flag, path, inputs...)
}

// Print prints the draft as the commands show it on a terminal: To and Subject lines,
// then the text, with any control character or bidirectional override escaped
// (iostreams.Safe), as tables escape theirs: a request stored before its text was
// checked, shown again, must not drive the terminal.
func Print(ios *iostreams.IOStreams, e Email) {
	if e.To != "" {
		fmt.Fprintf(ios.Out, "To: %s\n", iostreams.Safe(e.To))
	}
	body := iostreams.Safe(e.Body)
	fmt.Fprintf(ios.Out, "Subject: %s\n\n%s", iostreams.Safe(strings.ReplaceAll(e.Subject, "\n", " ")), body)
	if !strings.HasSuffix(body, "\n") {
		fmt.Fprintln(ios.Out)
	}
}

// WriteEML writes the draft as an RFC 5322 message marked as a draft (X-Unsent), so that
// mail clients open it ready to send. The body is UTF-8 sent as 8-bit (lines may run to
// 998 characters): quoted-printable would wrap the link at 76, breaking it for anyone who
// copies it from the file.
func WriteEML(w io.Writer, e Email) error {
	from := e.From
	if _, err := domain.ParseEmail(from); err != nil {
		from = "pcctl@localhost"
	}
	fmt.Fprintf(w, "From: %s\r\n", (&mail.Address{Address: from}).String())
	if e.To != "" {
		fmt.Fprintf(w, "To: %s\r\n", (&mail.Address{Name: e.ToName, Address: e.To}).String())
	}
	fmt.Fprintf(w, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", e.Subject))
	fmt.Fprintf(w, "Date: %s\r\n", e.Date.UTC().Format(time.RFC1123Z))
	fmt.Fprintf(w, "X-Unsent: 1\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	body := strings.ReplaceAll(strings.ReplaceAll(e.Body, "\r\n", "\n"), "\n", "\r\n")
	if !strings.HasSuffix(body, "\r\n") {
		body += "\r\n"
	}
	_, err := io.WriteString(w, body)
	return err
}
