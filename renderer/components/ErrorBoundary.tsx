import { Component, type ErrorInfo, type ReactNode } from 'react';
import { errorMessage } from './error-message.js';

interface Props {
  /** Changing it (e.g. the route) clears a caught error. */
  resetKey: string;
  children: ReactNode;
}

interface State {
  message: string | null;
  resetKey: string;
}

/** A view that throws while rendering shows one readable line instead of a blank window; React needs a class here. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { message: null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { message: errorMessage(error) };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return props.resetKey === state.resetKey ? null : { message: null, resetKey: props.resetKey };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error('view failed', error, info.componentStack);
  }

  override render(): ReactNode {
    if (this.state.message === null) return this.props.children;
    return (
      <div className="page-message error" role="alert">
        This view failed: {this.state.message}
      </div>
    );
  }
}
