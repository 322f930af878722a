/* llm_content — the assistant text of a chat-completion response (see llm.h).
 * In a file of its own so that a program reading saved responses (lceval's
 * passkey measures) links without the HTTP client and libcurl. */
#include "llm.h"

const char *lc_llm_content(json_t *r, const char **why)
{
	if (!json_is_object(r)) {
		*why = "response is not a JSON object";
		return NULL;
	}
	json_t *err = json_object_get(r, "error");
	if (err && !json_is_null(err)) {
		const char *m = json_string_value(json_object_get(err, "message"));
		*why = m ? m : json_is_string(err) ? json_string_value(err) : "the server returned an error object";
		return NULL;
	}
	json_t *ch = json_object_get(r, "choices");
	if (!json_is_array(ch) || json_array_size(ch) == 0) {
		*why = "response has no choices";
		return NULL;
	}
	json_t *msg = json_object_get(json_array_get(ch, 0), "message");
	json_t *t = json_object_get(msg, "content");
	if (!json_is_string(t)) {
		*why = "response has no choices[0].message.content string";
		return NULL;
	}
	return json_string_value(t);
}
