/** Offers `blob` as a download named `name`, as a click on a download link would. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // The download may start after click() returns: the URL must outlive it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
