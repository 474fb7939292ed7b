import { useEffect, useState } from 'react';
import { href } from '../../app/route.js';
import { navigate } from '../../app/use-route.js';
import { errorMessage } from '../../components/error-message.js';
import { countSteps, defaultSection, findSection, sectionPath } from '../../components/section-tree.js';
import { useRunbook } from '../../stores/runbook-store.js';
import { refreshRunbook } from '../library/import-actions.js';
import { SectionInfo } from './SectionInfo.js';
import { SectionOutline } from './SectionOutline.js';
import { SectionSteps } from './SectionSteps.js';

interface Props {
  id: string;
  sectionId: string | null;
}

/** A runbook read as guided checklists: pick a section on the left, read it, start a run of it. */
export function RunbookPage({ id, sectionId }: Props) {
  const detail = useRunbook((state) => (state.id === id ? state.detail : null));
  const error = useRunbook((state) => (state.id === id ? state.error : null));
  const load = useRunbook((state) => state.load);
  const startRun = useRunbook((state) => state.startRun);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);

  useEffect(() => {
    void load(id);
  }, [id, load]);
  useEffect(() => {
    setStartError(null);
  }, [sectionId]);

  if (error && !detail) return <div className="page-message error">{error}</div>;
  if (!detail) return <div className="page-message muted">Loading…</div>;

  const sections = detail.document.sections;
  const section = (sectionId !== null ? findSection(sections, sectionId) : null) ?? defaultSection(sections);
  const crumbs = section ? sectionPath(sections, section.id) : [];

  const start = async (): Promise<void> => {
    if (!section) return;
    setStarting(true);
    setStartError(null);
    try {
      const run = await startRun(section.id);
      navigate(href.run(run.run.id));
    } catch (failure) {
      setStartError(errorMessage(failure));
    } finally {
      setStarting(false);
    }
  };

  return (
    <div className="page runbook-page">
      <div className="page-head">
        <h1 title={detail.path}>{detail.document.title}</h1>
        <span className="muted mono path" title={detail.path}>
          {detail.path}
        </span>
        <span className="muted">v{detail.version}</span>
        {detail.refreshable && (
          <button type="button" className="btn btn-small" onClick={() => void refreshRunbook(detail.id, detail.document.title).then(() => load(id))}>
            Refresh
          </button>
        )}
      </div>
      {detail.archived && (
        <div className="banner" data-testid="runbook-archived">
          Removed from the library: its versions and runs are kept. Import its file again to bring it back.
        </div>
      )}
      {sectionId !== null && section && section.id !== sectionId && (
        <div className="banner">That section is not in this version of the runbook; showing the first one.</div>
      )}
      <div className="runbook-columns">
        <SectionOutline runbookId={detail.id} sections={sections} selectedId={section?.id ?? null} />
        <div className="runbook-middle">
          {section ? (
            <>
              <div className="section-head">
                <div>
                  <div className="crumbs muted">{crumbs.slice(0, -1).map((crumb) => crumb.title).join(' › ')}</div>
                  <h2>{section.title}</h2>
                </div>
                <button
                  type="button"
                  className="btn btn-primary"
                  data-testid="start-run"
                  disabled={starting || countSteps(section) === 0}
                  onClick={() => void start()}
                >
                  {starting ? 'Starting…' : 'Start run'}
                </button>
              </div>
              {startError && (
                <div className="inline-error" role="alert">
                  {startError}
                </div>
              )}
              <SectionSteps section={section} params={detail.document.params} />
            </>
          ) : (
            <div className="empty">This runbook has no sections.</div>
          )}
        </div>
        {section && <SectionInfo detail={detail} section={section} />}
      </div>
    </div>
  );
}
