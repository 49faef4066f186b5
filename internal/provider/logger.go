package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// tokenMaskingLogger passes the API client's messages to tflog with the
// access token masked wherever it might appear: in messages, in any field
// value, and in fields named after it.
type tokenMaskingLogger struct {
	token string
}

func newTokenMaskingLogger(token string) tokenMaskingLogger {
	return tokenMaskingLogger{token: token}
}

// mask returns ctx with the masking rules applied; tflog keeps them in ctx,
// so every RPC's context needs them anew.
func (l tokenMaskingLogger) mask(ctx context.Context) context.Context {
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "access_token", "token", "Authorization")
	if l.token == "" {
		return ctx
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, l.token)
	return tflog.MaskMessageStrings(ctx, l.token)
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
