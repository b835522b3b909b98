ALTER TABLE "contact_identities" DROP CONSTRAINT "contact_identities_contact_fk";
--> statement-breakpoint
-- The key above checked the contact of each inserted identity on its own: an SPI query and
-- a FOR KEY SHARE lock (a WAL record) per identity, about half the backend CPU of an import's
-- identity insert. This trigger checks a statement's identities in one query. Contacts this
-- transaction wrote need no lock (no other transaction can see them, so none can delete them
-- before it commits); others are locked FOR KEY SHARE, as the key's check did, and a contact
-- deleted meanwhile is missing from the count.
CREATE FUNCTION "qf_identities_contact_check"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE missing bigint;
BEGIN
  PERFORM 1 FROM contacts c JOIN (SELECT DISTINCT workspace_id, contact_id FROM qf_new) n
    ON c.workspace_id = n.workspace_id AND c.id = n.contact_id
    WHERE c.xmin <> xid(pg_current_xact_id()) FOR KEY SHARE OF c;
  SELECT count(*) INTO missing FROM (SELECT DISTINCT workspace_id, contact_id FROM qf_new) n
    WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.workspace_id = n.workspace_id AND c.id = n.contact_id);
  IF missing > 0 THEN
    RAISE EXCEPTION 'insert or update on table "contact_identities" violates foreign key constraint "contact_identities_contact_fk"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'contact_identities_contact_fk', TABLE = 'contact_identities';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "contact_identities_contact_check" AFTER INSERT ON "contact_identities"
  REFERENCING NEW TABLE AS qf_new FOR EACH STATEMENT EXECUTE FUNCTION "qf_identities_contact_check"();
--> statement-breakpoint
CREATE TRIGGER "contact_identities_contact_move" AFTER UPDATE ON "contact_identities"
  REFERENCING NEW TABLE AS qf_new FOR EACH STATEMENT EXECUTE FUNCTION "qf_identities_contact_check"();
--> statement-breakpoint
-- ON DELETE CASCADE, per statement.
CREATE FUNCTION "qf_contacts_delete_identities"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM contact_identities i USING qf_old o WHERE i.workspace_id = o.workspace_id AND i.contact_id = o.id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "contacts_delete_identities" AFTER DELETE ON "contacts"
  REFERENCING OLD TABLE AS qf_old FOR EACH STATEMENT EXECUTE FUNCTION "qf_contacts_delete_identities"();
--> statement-breakpoint
-- A truncated contacts table takes its identities with it (the key refused a TRUNCATE without
-- them); when the same statement truncated both, they are empty here already.
CREATE FUNCTION "qf_contacts_truncate_identities"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM contact_identities) THEN
    TRUNCATE contact_identities;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "contacts_truncate_identities" AFTER TRUNCATE ON "contacts"
  FOR EACH STATEMENT EXECUTE FUNCTION "qf_contacts_truncate_identities"();
--> statement-breakpoint
-- ON UPDATE NO ACTION: a contact keeps its id and workspace while identities point at it.
CREATE FUNCTION "qf_contacts_key_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM contact_identities i WHERE i.workspace_id = OLD.workspace_id AND i.contact_id = OLD.id) THEN
    RAISE EXCEPTION 'update or delete on table "contacts" violates foreign key constraint "contact_identities_contact_fk" on table "contact_identities"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'contact_identities_contact_fk', TABLE = 'contact_identities';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "contacts_key_change" AFTER UPDATE OF "id", "workspace_id" ON "contacts" FOR EACH ROW
  WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.workspace_id IS DISTINCT FROM NEW.workspace_id)
  EXECUTE FUNCTION "qf_contacts_key_change"();
