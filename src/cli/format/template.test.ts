import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render, compile, headerFunctions, goPrint } from './template.js';

const c = {
  Id: 'abc',
  Name: '/web',
  State: { Status: 'running', Running: true, ExitCode: 0, Pid: 42 },
  Config: { Labels: { b: '2', a: '1' }, Env: ['A=1', 'B=2'], Cmd: ['sleep', '300'], Entrypoint: null },
  NetworkSettings: { Networks: { bridge: { IPAddress: '172.17.0.2' } } },
  Mounts: [],
};

/** Each template renders `c` to its expected text. */
function renders(cases: Record<string, string>): void {
  for (const [template, want] of Object.entries(cases)) assert.equal(render(template, c), want, template);
}

test('fields, nested fields, missing values', () => {
  renders({
    '{{.Id}} {{.State.Status}} {{.State.Pid}}': 'abc running 42',
    '{{.Nope}}': '<no value>',
    '{{.Config.Entrypoint}}': '<nil>',
  });
});

test('Go printing of maps, slices, bools', () => {
  renders({
    '{{.Config.Labels}}': 'map[a:1 b:2]',
    '{{.Config.Cmd}}': '[sleep 300]',
    '{{.State.Running}}': 'true',
    '{{.Mounts}}': '[]',
  });
  assert.equal(goPrint(1.5), '1.5');
});

test('json', () => {
  renders({
    '{{json .Config.Labels}}': '{"b":"2","a":"1"}',
    '{{json .State}}': JSON.stringify(c.State),
    '{{json .Nope}}': 'null',
  });
});

test('range over slices and maps, with variables', () => {
  renders({
    '{{range .Config.Env}}{{.}};{{end}}': 'A=1;B=2;',
    '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}} {{end}}': 'a=1 b=2 ',
    '{{range $i, $e := .Config.Cmd}}{{$i}}:{{$e}},{{end}}': '0:sleep,1:300,',
    '{{range $net, $conf := .NetworkSettings.Networks}}{{$net}} {{$conf.IPAddress}}{{end}}': 'bridge 172.17.0.2',
    '{{range .Mounts}}x{{else}}none{{end}}': 'none',
    '{{range .Config.Env}}{{$.Id}}{{end}}': 'abcabc',
  });
});

test('index, len, if/else, with', () => {
  renders({
    '{{index .Config.Labels "a"}}': '1',
    '{{index .Config.Cmd 1}}': '300',
    '{{len .Config.Env}}': '2',
    '{{if .State.Running}}up{{else}}down{{end}}': 'up',
    '{{if eq .State.Status "exited"}}x{{else if .State.Running}}r{{else}}o{{end}}': 'r',
    '{{with .State}}{{.Status}}{{end}}': 'running',
    '{{if and .State.Running (eq .State.ExitCode 0)}}ok{{end}}': 'ok',
  });
});

test('printf, println, string functions, pipes', () => {
  renders({
    '{{printf "%s-%d" .Id .State.Pid}}': 'abc-42',
    '{{printf "%-6s|" .Id}}': 'abc   |',
    '{{println .Id}}': 'abc\n',
    '{{.State.Status | upper}}': 'RUNNING',
    '{{.State.Status | title}}': 'Running',
    '{{upper .Id}} {{lower "ABC"}}': 'ABC abc',
    '{{join .Config.Cmd ","}}': 'sleep,300',
    '{{split "a:b" ":"}}': '[a b]',
    '{{.Name | printf "%q"}}': '"/web"',
    '{{truncate .Name 2}}': '/w',
  });
});

test('trim markers and comments', () => {
  assert.equal(render('a  {{- .Id -}}  b{{/* hi */}}', c), 'aabcb');
});

test('header functions pass through', () => {
  assert.equal(compile('{{.Name | upper}}', headerFunctions).execute({ Name: 'NAMES' }), 'NAMES');
});

test('errors are reported', () => {
  assert.throws(() => render('{{.Id', c), /template parsing error/);
  assert.throws(() => render('{{nofunc .Id}}', c), /function "nofunc" not defined/);
  assert.throws(() => render('{{if .Id}}x', c), /unexpected EOF/);
});

test('a field chain on a parenthesized pipeline: (index .Ports "80/tcp" 0).HostPort', () => {
  const data = { P: { '80/tcp': [{ HostPort: '8080' }] }, L: ['a', 'b'] };
  assert.equal(render('{{(index (index .P "80/tcp") 0).HostPort}}', data), '8080');
  assert.equal(render('{{ (index .L 1) }} {{(index .P "80/tcp")}}', data), 'b [map[HostPort:8080]]');
});
