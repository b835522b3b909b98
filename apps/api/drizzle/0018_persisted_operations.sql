CREATE TABLE "persisted_operations" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "persisted_operations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"workspace_id" bigint NOT NULL,
	"hash" text NOT NULL,
	"name" text NOT NULL,
	"document" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "persisted_only" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "persisted_operations" ADD CONSTRAINT "persisted_operations_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "persisted_operations_hash_idx" ON "persisted_operations" USING btree ("workspace_id","hash");--> statement-breakpoint
CREATE INDEX "persisted_operations_workspace_idx" ON "persisted_operations" USING btree ("workspace_id");