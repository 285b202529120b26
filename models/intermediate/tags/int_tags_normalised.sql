-- Tags as one row per normalised tag x tagged entity: usage-event tags on the call (entity 'usage_log') and
-- feedback category labels on the message (entity 'message'). Normalised = whitespace-trimmed and lower-cased;
-- empty tags are dropped and a tag repeated on the same entity is kept once (the rule: macros/tags.sql).
{{ normalised_tags(ref('int_usage_events_deduplicated'), ref('int_feedback_latest')) }}
