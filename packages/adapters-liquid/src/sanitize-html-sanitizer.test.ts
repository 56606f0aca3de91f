import { describe, expect, it } from 'vitest';
import { SanitizeHtmlSanitizer } from './sanitize-html-sanitizer.js';

const sanitizer = new SanitizeHtmlSanitizer();

describe('SanitizeHtmlSanitizer', () => {
  it('keeps formatting and http(s)/mailto links, which open without a way back to the email', () => {
    expect(
      sanitizer.sanitize(
        '<p><strong>Acme</strong> — <a href="https://acme.example">shop</a> · <a href="mailto:hi@acme.example">mail</a></p>',
      ),
    ).toBe(
      '<p><strong>Acme</strong> — <a href="https://acme.example" rel="noopener noreferrer" target="_blank">shop</a> · <a href="mailto:hi@acme.example" rel="noopener noreferrer" target="_blank">mail</a></p>',
    );
  });

  it.each([
    ['<p>Acme<script>alert(1)</script></p>', '<p>Acme</p>'],
    ['<p onclick="steal()" style="color:red" class="x">Acme</p>', '<p>Acme</p>'],
    ['<a href="javascript:alert(1)">Acme</a>', '<a rel="noopener noreferrer" target="_blank">Acme</a>'],
    ['<img src="http://tracker.example/p.gif"><img src="data:image/png;base64,AAAA">', '<img /><img />'],
    ['<style>body{display:none}</style>Acme', 'Acme'],
    ['<iframe src="https://evil.example"></iframe><form><input name="card"></form>Acme', 'Acme'],
    ['<div><b>Acme', '<div><b>Acme</b></div>'],
  ])('drops what runs, loads or hides: %s', (input, output) => {
    expect(sanitizer.sanitize(input)).toBe(output);
  });
});
