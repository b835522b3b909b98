import { type ReactNode, useId, useRef } from 'react';
import { useI18n } from '../i18n/locale-context.js';

interface ConfirmButtonProps {
  /** The button's label, and the dialog's confirming button's. */
  label: string;
  title: string;
  children?: ReactNode;
  danger?: boolean;
  disabled?: boolean;
  testId: string;
  onConfirm(): void;
}

/**
 * A button whose action waits for a confirmation in a modal dialog (Esc or "Back" cancels).
 * Tests find the dialog's button as `confirm-ok`.
 */
export function ConfirmButton({
  label,
  title,
  children,
  danger,
  disabled,
  testId,
  onConfirm,
}: ConfirmButtonProps) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const kind = danger ? 'button--danger' : 'button--primary';
  return (
    <>
      <button
        type="button"
        className={`button ${kind}`}
        data-testid={testId}
        disabled={disabled}
        onClick={() => dialog.current?.showModal()}
      >
        {label}
      </button>
      <dialog ref={dialog} className="dialog" aria-labelledby={titleId}>
        <form method="dialog">
          <h2 id={titleId}>{title}</h2>
          {children}
          <div className="dialog__buttons">
            <button type="submit" className="button" value="cancel" data-testid="confirm-cancel">
              {t('dialog.back')}
            </button>
            <button
              type="submit"
              className={`button ${kind}`}
              value="ok"
              data-testid="confirm-ok"
              onClick={() => onConfirm()}
            >
              {label}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
