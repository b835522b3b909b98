CREATE TABLE "early_receipts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "early_receipts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"channel" text,
	"provider_message_id" text,
	"delivery_id" bigint,
	"state" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"event" jsonb NOT NULL,
	"keep_until" timestamp with time zone NOT NULL,
	CONSTRAINT "early_receipts_once" UNIQUE NULLS NOT DISTINCT("channel","provider_message_id","delivery_id","dedupe_key")
);
--> statement-breakpoint
CREATE INDEX "early_receipts_provider_idx" ON "early_receipts" USING btree ("provider_message_id");--> statement-breakpoint
CREATE INDEX "early_receipts_delivery_idx" ON "early_receipts" USING btree ("delivery_id");