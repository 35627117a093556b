"""The Heartbeat 3.0.6 wire format: pure bytes <-> messages, signatures, acceptance.

message (Message, Field) · netstring / classic (codecs) · auth (sha1, md5, crc digests)
· packet (seal / unseal with the trailer) · compress (the compressed wrapper) · accept
(Acceptor, Verdict, Reason) · rexmit (send history, NS_rexmit scheduling) · pcap (capture
reader for ``hbtui decode``).
Everything raises only ``errors.WireError`` on bad input.
"""
