#!/usr/bin/python3
"""A small CRI v1 client for the tests: kubelet's calls to runtime.v1.RuntimeService, one per line.

Usage: cri.py SOCKET. Reads one JSON request a line on stdin, {"method": NAME, ...arguments}, and writes one JSON
reply a line on stdout: {"ok": true, "ms": WALL_MS_OF_THE_CALL, ...fields} or {"ok": false, "code": GRPC_CODE,
"error": DETAILS}. The messages are encoded and decoded here from the protocol's field numbers (cri-api's api.proto,
package runtime.v1) through grpc's generic unary call, bytes in and out: no generated code, only Debian's
python3-grpcio. Only the fields the tests use are written and read.
"""
import json
import sys
import time

import grpc

SERVICE = "/runtime.v1.RuntimeService/"
PROTOCOLS = {"tcp": 0, "udp": 1, "sctp": 2}
SANDBOX_STATES = {0: "SANDBOX_READY", 1: "SANDBOX_NOTREADY"}


# --- encoding: proto3 wire format (varint = 0, length-delimited = 2)

def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def f_int(field, n):
    return varint(field << 3) + varint(n) if n else b""


def f_bytes(field, data):
    return varint(field << 3 | 2) + varint(len(data)) + data


def f_str(field, s):
    return f_bytes(field, s.encode()) if s else b""


def f_msg(field, data):
    return f_bytes(field, data)


def f_map(field, mapping):
    return b"".join(f_msg(field, f_str(1, k) + f_str(2, v)) for k, v in sorted((mapping or {}).items()))


def sandbox_config(a):
    """PodSandboxConfig: metadata 1 (name 1, uid 2, namespace 3, attempt 4), hostname 2, log_directory 3,
    port_mappings 5 (protocol 1, container_port 2, host_port 3, host_ip 4), labels 6, annotations 7,
    linux 8 (cgroup_parent 1, security_context 2 { namespace_options 1 { network 1 } }): hostNetwork true is the
    network namespace mode NODE (no pod namespace, no CNI call)."""
    meta = f_str(1, a["name"]) + f_str(2, a.get("uid", a["name"] + "-uid")) + f_str(3, a.get("namespace", "default")) \
        + f_int(4, a.get("attempt", 0))
    out = f_msg(1, meta) + f_str(2, a.get("hostname", a["name"])) + f_str(3, a.get("logDirectory", ""))
    for p in a.get("portMappings", []):
        out += f_msg(5, f_int(1, PROTOCOLS[p.get("protocol", "tcp")]) + f_int(2, p["containerPort"])
                     + f_int(3, p.get("hostPort", 0)) + f_str(4, p.get("hostIp", "")))
    out += f_map(6, a.get("labels")) + f_map(7, a.get("annotations"))
    linux = f_str(1, a.get("cgroupParent", ""))
    if a.get("hostNetwork"):  # security_context 2 { namespace_options 1 { network 1: NODE = 2 } }
        linux += f_msg(2, f_msg(1, f_int(1, 2)))
    if linux:
        out += f_msg(8, linux)
    return out


def encode(method, a):
    if method == "Version":
        return f_str(1, "v1")
    if method == "Status":
        return f_int(1, 1 if a.get("verbose") else 0)
    if method == "RunPodSandbox":
        return f_msg(1, sandbox_config(a["config"]))
    if method in ("PodSandboxStatus", "StopPodSandbox", "RemovePodSandbox"):
        return f_str(1, a["podSandboxId"])
    if method == "CreateContainer":
        c = a["container"]
        conf = f_msg(1, f_str(1, c["name"])) + f_msg(2, f_str(1, c["image"]))
        for w in c.get("command", []):
            conf += f_str(3, w) if w else f_bytes(3, b"")
        for w in c.get("args", []):
            conf += f_str(4, w) if w else f_bytes(4, b"")
        return f_str(1, a["podSandboxId"]) + f_msg(2, conf) + f_msg(3, sandbox_config(a["config"]))
    if method == "StartContainer":
        return f_str(1, a["containerId"])
    if method == "UpdateRuntimeConfig":  # runtime_config 1 { network_config 1 { pod_cidr 1 } }
        return f_msg(1, f_msg(1, f_str(1, a["podCidr"])))
    raise ValueError("unknown method " + method)


# --- decoding: a message as {field: [values]} (varints as ints, length-delimited as bytes)

def fields(data):
    out = {}
    i = 0
    while i < len(data):
        key, i = read_varint(data, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, i = read_varint(data, i)
        elif wire == 2:
            n, i = read_varint(data, i)
            value, i = data[i:i + n], i + n
        elif wire == 1:
            value, i = data[i:i + 8], i + 8
        elif wire == 5:
            value, i = data[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wire)
        out.setdefault(field, []).append(value)
    return out


def read_varint(data, i):
    n = shift = 0
    while True:
        b = data[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def s(f, n):
    return f.get(n, [b""])[0].decode()


def decode(method, data):
    f = fields(data)
    if method == "Version":
        return {"version": s(f, 1), "runtimeName": s(f, 2), "runtimeVersion": s(f, 3), "runtimeApiVersion": s(f, 4)}
    if method == "Status":  # status 1 { conditions 1 { type 1, status 2, reason 3, message 4 } }, info 2
        status = fields(f.get(1, [b""])[0])
        conditions = []
        for c in status.get(1, []):
            cf = fields(c)
            conditions.append({"type": s(cf, 1), "status": bool(cf.get(2, [0])[0]), "reason": s(cf, 3), "message": s(cf, 4)})
        info = {}
        for e in f.get(2, []):
            ef = fields(e)
            info[s(ef, 1)] = s(ef, 2)
        return {"conditions": conditions, "info": info}
    if method == "RunPodSandbox":
        return {"podSandboxId": s(f, 1)}
    if method == "PodSandboxStatus":  # status 1 { id 1, state 3, network 5 { ip 1, additional_ips 2 { ip 1 } } }
        st = fields(f.get(1, [b""])[0])
        net = fields(st.get(5, [b""])[0])
        return {"id": s(st, 1), "state": SANDBOX_STATES.get(st.get(3, [0])[0], "?"), "ip": s(net, 1),
                "additionalIps": [s(fields(p), 1) for p in net.get(2, [])]}
    if method == "CreateContainer":
        return {"containerId": s(f, 1)}
    return {}


def main():
    channel = grpc.insecure_channel("unix:" + sys.argv[1])
    calls = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        method = request["method"]
        call = calls.get(method)
        if call is None:
            call = calls[method] = channel.unary_unary(SERVICE + method)  # no (de)serializer: bytes in, bytes out
        try:
            body = encode(method, request)
            t0 = time.monotonic()
            answer = call(body, timeout=request.get("timeout", 120))
            ms = (time.monotonic() - t0) * 1000
            reply = {"ok": True, "ms": ms}
            reply.update(decode(method, answer))
        except grpc.RpcError as e:
            reply = {"ok": False, "code": e.code().name, "error": e.details()}
        except (KeyError, ValueError) as e:
            reply = {"ok": False, "code": "CLIENT", "error": "bad request %s: %r" % (line.strip(), e)}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
