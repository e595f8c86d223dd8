import './base.css';
import './manage.css';
import './table.css';
import './sweep.css';
