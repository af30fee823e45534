import { AuditTrail } from "../components/AuditTrail.tsx";

/** The audit trail on a page of its own: every decision, filtered by actor, kind and date. */
export function AuditPage() {
  return (
    <section aria-label="Audit trail" className="settings">
      <AuditTrail heading="h1" pageSize={25} />
    </section>
  );
}
