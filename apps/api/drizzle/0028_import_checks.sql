ALTER TABLE "contacts" DROP CONSTRAINT "contacts_workspace_id_workspaces_id_fk";
--> statement-breakpoint
-- The foreign key above checked the workspace of each inserted contact on its own (an SPI
-- query and a row lock per contact); this trigger checks a statement's contacts in one
-- query, locking their workspaces FOR KEY SHARE as the key's check did.
CREATE FUNCTION "qf_contacts_workspace_check"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE wanted bigint; locked bigint;
BEGIN
  SELECT count(DISTINCT workspace_id) INTO wanted FROM qf_new;
  SELECT count(*) INTO locked FROM (SELECT 1 FROM workspaces w
    WHERE w.id IN (SELECT workspace_id FROM qf_new) FOR KEY SHARE OF w) x;
  IF locked < wanted THEN
    RAISE EXCEPTION 'insert or update on table "contacts" violates foreign key constraint "contacts_workspace_id_workspaces_id_fk"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'contacts_workspace_id_workspaces_id_fk', TABLE = 'contacts';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "contacts_workspace_check" AFTER INSERT ON "contacts"
  REFERENCING NEW TABLE AS qf_new FOR EACH STATEMENT EXECUTE FUNCTION "qf_contacts_workspace_check"();
--> statement-breakpoint
-- A contact's workspace never changes in Qunfa; if it did, the new one must exist.
CREATE FUNCTION "qf_contacts_workspace_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM workspaces w WHERE w.id = NEW.workspace_id FOR KEY SHARE) THEN
    RAISE EXCEPTION 'insert or update on table "contacts" violates foreign key constraint "contacts_workspace_id_workspaces_id_fk"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'contacts_workspace_id_workspaces_id_fk', TABLE = 'contacts';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "contacts_workspace_change" AFTER UPDATE OF "workspace_id" ON "contacts" FOR EACH ROW
  WHEN (OLD.workspace_id IS DISTINCT FROM NEW.workspace_id) EXECUTE FUNCTION "qf_contacts_workspace_change"();
--> statement-breakpoint
-- The workspace side (NO ACTION): a workspace with contacts stays, and keeps its id.
CREATE FUNCTION "qf_workspaces_contacts_remain"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM contacts c JOIN qf_old o ON c.workspace_id = o.id) THEN
    RAISE EXCEPTION 'update or delete on table "workspaces" violates foreign key constraint "contacts_workspace_id_workspaces_id_fk" on table "contacts"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'contacts_workspace_id_workspaces_id_fk', TABLE = 'contacts';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "workspaces_contacts_remain" AFTER DELETE ON "workspaces"
  REFERENCING OLD TABLE AS qf_old FOR EACH STATEMENT EXECUTE FUNCTION "qf_workspaces_contacts_remain"();
--> statement-breakpoint
CREATE FUNCTION "qf_workspaces_id_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM contacts c WHERE c.workspace_id = OLD.id) THEN
    RAISE EXCEPTION 'update or delete on table "workspaces" violates foreign key constraint "contacts_workspace_id_workspaces_id_fk" on table "contacts"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'contacts_workspace_id_workspaces_id_fk', TABLE = 'contacts';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "workspaces_id_change" AFTER UPDATE OF "id" ON "workspaces" FOR EACH ROW
  WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION "qf_workspaces_id_change"();
--> statement-breakpoint
-- Byte order for identities: equal values stay equal (both collations are deterministic),
-- and the unique index compares with memcmp instead of strcoll.
ALTER TABLE "contact_identities" ALTER COLUMN "kind" TYPE text COLLATE "C", ALTER COLUMN "value" TYPE text COLLATE "C";
