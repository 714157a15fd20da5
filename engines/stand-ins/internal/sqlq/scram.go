package sqlq

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// ScramIterations is Postgres's default scram_iterations.
const ScramIterations = 4096

// ScramVerifier is the SCRAM-SHA-256 verifier Postgres stores for password (RFC 5802/7677,
// in pg_authid's format). Sending it instead of the password keeps the password
// itself out of the statement, so out of any server log of statements. Postgres
// SASLprep-normalises non-ASCII passwords first, which this does not, so ok is
// false for them and the caller sends the password as upstream does.
func ScramVerifier(password string, salt []byte, iterations int) (verifier string, ok bool) {
	for _, r := range password {
		if r < 0x20 || r > 0x7e {
			return "", false
		}
	}
	salted, err := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil {
		return "", false
	}
	clientKey := mac(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	serverKey := mac(salted, "Server Key")
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", iterations, b64(salt), b64(storedKey[:]), b64(serverKey)), true
}

// NewSalt is 16 random bytes, as Postgres uses.
func NewSalt() []byte {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	return salt
}

func mac(key []byte, message string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(message))
	return h.Sum(nil)
}

// PasswordClause is "PASSWORD '<verifier>'" for password, or "PASSWORD NULL" for
// "NULL" (any case), as upstream reads it.
func PasswordClause(password string) string {
	if strings.EqualFold(password, "NULL") {
		return "PASSWORD NULL"
	}
	if v, ok := ScramVerifier(password, NewSalt(), ScramIterations); ok {
		return "PASSWORD " + Literal(v)
	}
	return "PASSWORD " + Literal(password)
}
