package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// tokenMaskingLogger passes the API client's messages to tflog with the
// secrets it was given (access token, client secret, refresh token) masked
// wherever they might appear: in messages, in any field value, and in fields
// named after them. The client itself hides the tokens it obtains.
type tokenMaskingLogger struct {
	secrets []string
}

func newTokenMaskingLogger(secrets ...string) tokenMaskingLogger {
	var kept []string
	for _, s := range secrets {
		if s != "" {
			kept = append(kept, s)
		}
	}
	return tokenMaskingLogger{secrets: kept}
}

// mask returns ctx with the masking rules applied; tflog keeps them in ctx,
// so every RPC's context needs them anew.
func (l tokenMaskingLogger) mask(ctx context.Context) context.Context {
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "access_token", "token", "Authorization", "client_secret", "refresh_token")
	if len(l.secrets) == 0 {
		return ctx
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, l.secrets...)
	return tflog.MaskMessageStrings(ctx, l.secrets...)
}

func (l tokenMaskingLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(l.mask(ctx), msg, fields)
}

func (l tokenMaskingLogger) Info(ctx context.Context, msg string, fields map[string]any) {
	tflog.Info(l.mask(ctx), msg, fields)
}

func (l tokenMaskingLogger) Warn(ctx context.Context, msg string, fields map[string]any) {
	tflog.Warn(l.mask(ctx), msg, fields)
}
