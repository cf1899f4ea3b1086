/** Fires the apply step asynchronously: Lambda Invoke (Event) on AWS, in-process locally. */
export interface ApplyInvoker {
  invokeApply(request: { environment: string; planId: string }): Promise<void>;
}
