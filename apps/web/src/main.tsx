import { render } from 'preact';
import './inbox.css';

const root = document.getElementById('app');
if (root) render(<p>Loading…</p>, root);
