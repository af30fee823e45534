import { useState } from "react";
import { AuditTrail } from "../../components/AuditTrail.tsx";
import { FreezeWindows } from "../../components/FreezeWindows.tsx";
import { LoadState } from "../../components/LoadState.tsx";
import { nodesOf } from "../../graphql.ts";
import { usePolledQuery } from "../../hooks.ts";
import { SETTINGS_PAGE } from "../../queries.ts";
import { SettingsForm } from "./SettingsForm.tsx";

/** The settings page: the one-save form, the freeze windows and the audit trail under it. */
export function SettingsPage() {
  const [{ data, error, fetching }, refresh] = usePolledQuery({ query: SETTINGS_PAGE }, 3000);
  const [auditVersion, setAuditVersion] = useState(0);
  const changed = () => {
    refresh();
    setAuditVersion((version) => version + 1);
  };
  if (!data?.currentSettings || !data.circuitBreaker) {
    return (
      <section aria-labelledby="settings-title" className="settings">
        <h1 id="settings-title">Settings</h1>
        <LoadState
          what="the settings"
          loaded={false}
          error={fetching ? undefined : error}
          empty={false}
          emptyText=""
          retry={refresh}
        />
      </section>
    );
  }
  return (
    <section aria-labelledby="settings-title" className="settings">
      <h1 id="settings-title">Settings</h1>
      <LoadState what="the latest settings" loaded error={error} empty={false} emptyText="" retry={refresh} />
      <SettingsForm
        settings={data.currentSettings}
        types={nodesOf(data.allActionTypes)}
        limits={data.allSettingLimitsList ?? []}
        breaker={data.circuitBreaker}
        typeBreakers={nodesOf(data.allTypeBreakers)}
        onSaved={changed}
      />
      <FreezeWindows onChanged={changed} />
      <AuditTrail version={auditVersion} />
    </section>
  );
}
